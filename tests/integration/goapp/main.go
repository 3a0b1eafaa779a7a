// A tiny Go service for the pyroscope.scrape tests: net/http/pprof on the address given
// as the first argument, steady allocations, mutex and channel contention, and a few
// misbehaving routes (HTML, JSON, 500, wrong Content-Type, a hang). With GOAPP_STACKS=<bits>
// it also allocates from 2^bits distinct stacks, every allocation sampled, so the heap
// profile is as large as a real service's (bench/delta.py uses it).
package main

import (
	"fmt"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"
)

var sink [][]byte

func allocate() {
	for {
		buf := make([]byte, 64<<10)
		sink = append(sink, buf)
		if len(sink) > 64 {
			sink = sink[:0]
		}
		time.Sleep(time.Millisecond)
	}
}

//go:noinline
func left(depth, path int) []byte {
	if depth == 0 {
		return make([]byte, 128+path%512)
	}
	if path&1 == 0 {
		return left(depth-1, path>>1)
	}
	return right(depth-1, path>>1)
}

//go:noinline
func right(depth, path int) []byte {
	if depth == 0 {
		return make([]byte, 256+path%512)
	}
	if path&1 == 0 {
		return left(depth-1, path>>1)
	}
	return right(depth-1, path>>1)
}

// manyStacks allocates from 2^bits call paths, again and again.
func manyStacks(bits int) {
	var keep [][]byte
	for {
		for path := 0; path < 1<<bits; path++ {
			keep = append(keep, left(bits, path))
			if len(keep) > 1024 {
				keep = keep[:0]
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func contend() {
	var mu sync.Mutex
	for i := 0; i < 4; i++ {
		go func() {
			for {
				mu.Lock()
				time.Sleep(200 * time.Microsecond)
				mu.Unlock()
			}
		}()
	}
	ch := make(chan int)
	go func() {
		for {
			time.Sleep(time.Millisecond)
			ch <- 1
		}
	}()
	for range ch {
	}
}

func main() {
	runtime.SetMutexProfileFraction(1)
	runtime.SetBlockProfileRate(1)
	if bits, err := strconv.Atoi(os.Getenv("GOAPP_STACKS")); err == nil && bits > 0 {
		runtime.MemProfileRate = 1
		go manyStacks(bits)
	}
	go allocate()
	go contend()
	http.HandleFunc("/bad/html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		fmt.Fprint(w, "<html><body>login required</body></html>")
	})
	http.HandleFunc("/bad/json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		fmt.Fprint(w, `{"error": "profiling disabled on this instance"}`)
	})
	http.HandleFunc("/bad/500", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "profiler exploded", http.StatusInternalServerError)
	})
	http.HandleFunc("/bad/text", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "not a profile")
	})
	http.HandleFunc("/bad/hang", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	if err := http.ListenAndServe(os.Args[1], nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
