// Package report renders contract results for people (Human), programs (JSON) and CI
// systems (JUnit XML), grouped by scenario, with every secret-looking value redacted.
package report
