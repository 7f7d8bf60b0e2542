package recording

import (
	"embed"
	"io/fs"
)

//go:embed testdata/cassettes/*.yaml
var cassettes embed.FS

// Embedded holds the module's good recordings (testdata/cassettes/*.yaml, not the
// known-bad ones under bad/), so that a binary replays them from anywhere.
var Embedded fs.FS = must(fs.Sub(cassettes, "testdata/cassettes"))

func must(f fs.FS, err error) fs.FS {
	if err != nil {
		panic(err) // the embed pattern above guarantees the directory
	}
	return f
}
