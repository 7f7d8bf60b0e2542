//go:build race

package contract_test

func init() { raceDetector = true }
