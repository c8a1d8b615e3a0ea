package cfgutils

import (
	"crypto/md5"
	"encoding/hex"
	"io"
	"os"
)

// md5File is the hex MD5 of a file, which Kamailio computes from
// hash_file at startup.
func md5File(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := md5.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
