package corex

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// loadDNSFiles reads the dns_file parameters (Kamailio 6.0) when the
// module starts, as Kamailio's mod_init does: each line of each file is
// a dns_cache record (leading and trailing white space ignored); empty
// lines and lines starting with '#' are skipped. A file that cannot be
// opened or a record that does not parse stops the start. The records
// join dns_cache's.
func (m *Module) loadDNSFiles() error {
	for _, path := range m.dnsFiles {
		recs, err := readDNSFile(path)
		if err != nil {
			return err
		}
		m.dnsCache = append(m.dnsCache, recs...)
	}
	return nil
}

func readDNSFile(path string) ([]dnsRecord, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("corex_dns_file_load(): failed to open file '%s'", path)
	}
	defer f.Close()
	var out []dnsRecord
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		r, err := parseDNSRecord(line)
		if err != nil {
			return nil, fmt.Errorf("corex_dns_file_load(): failed to add record: '%s' (%s): %v", line, path, err)
		}
		out = append(out, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("corex_dns_file_load(): reading '%s': %v", path, err)
	}
	return out, nil
}
