// Command gencommon writes the password package's common.txt, the
// common-password set it embeds, from zxcvbn's password frequency list
// (github.com/trustelem/zxcvbn, package frequency; see the password
// package comment for its source and licence). It runs at go generate
// time, so authd's binary holds only the sorted text, not the frequency
// package's 1 MB of lists. Usage: go run ./gencommon -o common.txt
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/authd/authd/internal/password"
	"github.com/trustelem/zxcvbn/frequency"
)

func main() {
	out := flag.String("o", "common.txt", "the file to write")
	flag.Parse()
	text := password.CommonLines(frequency.FrequencyLists["passwords"])
	if err := os.WriteFile(*out, []byte(text), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gencommon:", err)
		os.Exit(1)
	}
}
