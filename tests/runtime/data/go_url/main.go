// Records Go's url.Parse errors for tests/runtime/test_go_url.py.
//
// Regenerate (standard library only, no module needed):
//
//	go run tests/runtime/data/go_url/main.go > tests/runtime/data/go_url/cases.json
//
// "go" is what the Go that runs this prints (Debian's 1.19 when recorded); "want" is
// Go 1.26's answer, the Go Alloy builds with. They differ only on the inputs of
// `newer`, each with its reason; bracketed hosts take netip.ParseAddr's error from
// this Go, so those inputs avoid the two places netip changed after 1.19.
package main

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"net/url"
	"os"
)

var inputs = []string{
	"", "*", "?", "?%zz", "http:", "http:/", "http://", "http:///x", "///x", "http://@/",
	"http://localhost:4040", "https://user:pass@proxy.example:3128/p?q=1#f",
	"http://[::1]:8080/x", "http://[fe80::1%25en0]:8080/", "http://[2001:db8::1]:443",
	"http://[::ffff:1.2.3.4]/", "http://[::1]:/", "http://a:", "http://a:65536",
	"localhost:8080", "mailto:someone@example.com", "a:b", "/path:x", "socks5://a:1:2/",
	"git+ssh://a:b:c@host:1/", "http://a@b@c/", "http://u:p:q@x/", "http://%25/",
	"http://a%c3%a9/", "http://\u00e9.com/", "http://x/\u00e9", "http://x/a b",
	"http://x:8080/path with space", "http://x/%2F", "http://a/b\\c", "http://x?%zz",
	"http://x/?a=%zz#f", "http://x/#a b", "http://a/?",
	// control characters
	"\x00", "http://x\n", "http://x/\x7f", "http://x\t/", "http://x/#\r",
	// schemes and the first path segment
	"://x", ":", "127.0.0.1:8080", "1a:b/x", "1http://x", "h_tp://x", "a/b:c",
	// escapes
	"%zz", "http://x/%", "http://x/%4", "http://x/%zz", "http://x/%z\u00e9",
	"http://x/#%zz", "#%", "http://%41/", "http://a%20b/", "http://u%zz@x/",
	"http://u:p%@x/", "http://u:p%4@x/", "http://a%2/",
	// hosts and ports
	"http://a:abc", "http://a:-1", "http://a:+1", "http://x:\uff18\uff10/", "//x:abc",
	"http://a b/", "http://x{y}/", "http://x|y", "http://a\\b/", "http://x/y?z",
	"http://[::1", "http://[::1]x", "http://[::1]:abc", "http://[::1]:8080x",
	"http://[::1]a:80/", "http://[fe80::1%en0]/", "http://[::1%25%0a]/",
	"http://[::1%25en%200]/", "http://[fe80::1%25%65n0]/", "http://[::1%25%ZZ]/",
	"http://[%41::1]/", "https://[::1]]/",
	// userinfo
	"http://us er@x/", "http://\u00fc@x/", "http://x y@z/", "http://a\"b@x/",
	// Go 1.26 only (see newer)
	"http://x:80:80/", "http://::1/", "HTTP://a:1:2/", "https://a:1:b/",
	"http://[1.2.3.4]/", "http://[v1.x]/", "http://[]/", "http://a[b]/", "http://[::1]][/",
	"http://[::1%25]/", "http://[0:0:0:0:0:0:0:0:0]/", "http://[1::2::3]/",
	"http://[::1:]/", "http://[12345::1]/", "http://[::1.2.3.04]/", "http://[1:2:3:4:5:6:7:1.2.3.4]/",
}

type newerRule struct {
	why  string
	want func(in string) string
}

func hostError(in, address string) string {
	_, err := netip.ParseAddr(address)
	if err == nil {
		panic(address)
	}
	return fmt.Sprintf("parse %q: invalid host: %v", in, err)
}

func literal(text string) func(string) string { return func(string) string { return text } }

func bracketed(address string) func(string) string {
	return func(in string) string { return hostError(in, address) }
}

const (
	strict   = "Go 1.26 urlstrictcolons: an http(s) host's port starts at its first colon"
	ipv6Only = "Go 1.24.8/1.25.2 (CVE-2025-47912): only an IPv6 address goes in brackets"
	v6digits = "Go >= 1.22 netip: a group of more than four hex digits"
	v4whole  = "Go >= 1.22 netip: an embedded IPv4 error names the whole address"
)

var newer = map[string]newerRule{
	"http://x:80:80/":                 {strict, literal(`parse "http://x:80:80/": invalid port ":80:80" after host`)},
	"http://::1/":                     {strict, literal(`parse "http://::1/": invalid port "::1" after host`)},
	"HTTP://a:1:2/":                   {strict, literal(`parse "HTTP://a:1:2/": invalid port ":1:2" after host`)},
	"https://a:1:b/":                  {strict, literal(`parse "https://a:1:b/": invalid port ":1:b" after host`)},
	"http://[1.2.3.4]/":               {ipv6Only, literal(`parse "http://[1.2.3.4]/": invalid IP-literal`)},
	"http://a[b]/":                    {ipv6Only, literal(`parse "http://a[b]/": invalid IP-literal`)},
	"http://[::1]][/":                 {ipv6Only, literal(`parse "http://[::1]][/": invalid IP-literal`)},
	"https://[::1]]/":                 {ipv6Only, bracketed("::1]")},
	"http://[v1.x]/":                  {ipv6Only, bracketed("v1.x")},
	"http://[]/":                      {ipv6Only, bracketed("")},
	"http://[::1%25]/":                {ipv6Only, bracketed("::1%")},
	"http://[0:0:0:0:0:0:0:0:0]/":     {ipv6Only, bracketed("0:0:0:0:0:0:0:0:0")},
	"http://[1::2::3]/":               {ipv6Only, bracketed("1::2::3")},
	"http://[::1:]/":                  {ipv6Only, bracketed("::1:")},
	"http://[1:2:3:4:5:6:7:1.2.3.4]/": {ipv6Only, bracketed("1:2:3:4:5:6:7:1.2.3.4")},
	"http://[12345::1]/": {ipv6Only + "; " + v6digits, literal(
		`parse "http://[12345::1]/": invalid host: ParseAddr("12345::1"): each group must have 4 or less digits (at "12345::1")`)},
	"http://[::1.2.3.04]/": {ipv6Only + "; " + v4whole, literal(
		`parse "http://[::1.2.3.04]/": invalid host: ParseAddr("::1.2.3.04"): IPv4 field has octet with leading zero`)},
}

type record struct {
	Input string  `json:"input"`
	Go    *string `json:"go"`
	Want  *string `json:"want"`
	Why   string  `json:"why,omitempty"`
}

func main() {
	records := []record{}
	for _, in := range inputs {
		r := record{Input: in}
		if _, err := url.Parse(in); err != nil {
			text := err.Error()
			r.Go, r.Want = &text, &text
		}
		if rule, ok := newer[in]; ok {
			want := rule.want(in)
			r.Want, r.Why = &want, rule.why
		}
		records = append(records, r)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(records); err != nil {
		panic(err)
	}
}
