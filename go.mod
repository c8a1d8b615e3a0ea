module github.com/kamgo/kamgo

go 1.26.8

require (
	github.com/BurntSushi/toml v1.6.0
	github.com/alecthomas/participle/v2 v2.1.4
	github.com/fsnotify/fsnotify v1.10.1
	golang.org/x/tools v0.52.0
)

require golang.org/x/sys v0.49.0 // indirect
