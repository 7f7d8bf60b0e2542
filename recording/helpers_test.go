package recording_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/recording"
)

// replayFile replays the cassette at path, its results named after the file.
func replayFile(v *contract.Validator, path string) ([]contract.Result, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return recording.Replay(v, strings.TrimSuffix(filepath.Base(path), ".yaml"), data)
}

func validator(t testing.TB, opts contract.Options) *contract.Validator {
	t.Helper()
	v, err := contract.New(opts)
	require.NoError(t, err)
	return v
}
