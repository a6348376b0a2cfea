package config

import (
	"os"
	"strings"
	"testing"
)

// The README documents every setting the server reads.
func TestREADMEListsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range Supported() {
		if !strings.Contains(string(readme), "`"+o.Env+"`") {
			t.Errorf("README.md does not document %s (%s)", o.Env, o.Name)
		}
	}
}
