package kamref

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Placeholders that Start replaces with the instance's ports.
const (
	SIPPortPlaceholder   = "%%SIP_PORT%%"
	EvapiPortPlaceholder = "%%EVAPI_PORT%%"
)

// tempPrefix starts the name of every temporary directory; Kamailio's
// messages name the config inside it, and recordings strip it.
const tempPrefix = "kamref-"

// writeConfig writes cfgText, placeholders replaced by the ports, to
// kamailio.cfg in a new temporary directory whose name starts with
// tempPrefix+kind. The caller removes dir.
func writeConfig(kind, cfgText string, sipPort, evapiPort int) (dir, file string, err error) {
	dir, err = os.MkdirTemp("", tempPrefix+kind)
	if err != nil {
		return "", "", err
	}
	text := strings.ReplaceAll(cfgText, SIPPortPlaceholder, strconv.Itoa(sipPort))
	text = strings.ReplaceAll(text, EvapiPortPlaceholder, strconv.Itoa(evapiPort))
	file = filepath.Join(dir, "kamailio.cfg")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		os.RemoveAll(dir)
		return "", "", err
	}
	return dir, file, nil
}
