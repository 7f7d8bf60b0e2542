// Package report renders contract results for people (Human), programs (JSON) and CI
// systems (JUnit XML), grouped by source (scenarios, recordings, cassettes), with the known credentials and every
// secret-looking value redacted and every control character escaped.
package report
