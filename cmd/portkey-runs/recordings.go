package main

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
)

// recordingsDir finds the module's recordings (contract/testdata/cassettes) next to this
// source file, where `go run`, `go build` and `go install` leave them.
//
// TODO: read contract's embedded recordings once contract exports them
// (/work/notes/cli-needs.md), so that a binary copied elsewhere finds them too.
func recordingsDir() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if ok {
		dir := filepath.Join(filepath.Dir(file), "..", "..", "contract", "testdata", "cassettes")
		if st, err := os.Stat(dir); err == nil && st.IsDir() {
			return dir, nil
		}
	}
	return "", errors.New("the module's recordings (contract/testdata/cassettes) are not on this machine: pass --cassettes DIR")
}
