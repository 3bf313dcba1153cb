// The Go harness of the peer benchmark (run.py drives it and builds it
// without modules, offline, in the build directory):
//
//	proctest_peer_go exec WORKLOAD ARGS...
//
// os/exec as a Go project's tests use it; workload d under a context
// deadline. The workloads and the JSON line are those of peer.cpp:
//
//	cases N PROGRAM...          (a) N cases back to back, unique stdin each
//	capture BYTES PROGRAM...    (b) capture stdout and stderr
//	pump IN OUT ERR PROGRAM...  (c) stdin, stdout and stderr at once
//	ready N PROGRAM...          (d) start, wait for "ready", SIGTERM, reap
package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const block = 100

func caseInput(i int64) string { return fmt.Sprintf("case %d of the peer suite\n", i) }

func pumpInput(size int64) []byte {
	data := make([]byte, size)
	for i := range data {
		data[i] = byte('a' + i%26)
	}
	return data
}

func statusBytes(key string) int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, key+":") {
			value := strings.TrimSuffix(strings.TrimSpace(line[len(key)+1:]), "kB")
			kib, _ := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
			return kib * 1024
		}
	}
	return 0
}

func secs(tv syscall.Timeval) float64 { return float64(tv.Sec) + float64(tv.Usec)*1e-6 }

// measure: wall time, CPU of this process and of its reaped children,
// context switches and the peak memory the block added (VmHWM reset by
// clear_refs).
type measure struct {
	start          time.Time
	self, children syscall.Rusage
	rssBefore      int64
	fields         string
}

func startMeasure() *measure {
	m := &measure{}
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	m.rssBefore = statusBytes("VmRSS")
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &m.self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &m.children)
	m.start = time.Now()
	return m
}

func (m *measure) stop() {
	wall := time.Since(m.start).Seconds()
	var s, c syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &s)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &c)
	m.fields = fmt.Sprintf("\"wall_s\": %.9f, \"user_s\": %.6f, \"sys_s\": %.6f, "+
		"\"child_user_s\": %.6f, \"child_sys_s\": %.6f, \"nvcsw\": %d, \"nivcsw\": %d, "+
		"\"peak_added_bytes\": %d",
		wall, secs(s.Utime)-secs(m.self.Utime), secs(s.Stime)-secs(m.self.Stime),
		secs(c.Utime)-secs(m.children.Utime), secs(c.Stime)-secs(m.children.Stime),
		s.Nvcsw-m.self.Nvcsw, s.Nivcsw-m.self.Nivcsw, statusBytes("VmHWM")-m.rssBefore)
}

type outcome struct {
	n, bytes int64
	parts    []float64
	err      string
}

func (o *outcome) check(ok bool, what string) {
	if !ok && o.err == "" {
		o.err = what
	}
}

func cases(n int64, program []string, o *outcome) {
	start := time.Now()
	for i := int64(0); i < n; i++ {
		input := caseInput(i)
		cmd := exec.Command(program[0], program[1:]...)
		cmd.Stdin = strings.NewReader(input)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		o.check(err == nil && stdout.String() == input, "case output")
		if (i+1)%block == 0 {
			o.parts = append(o.parts, time.Since(start).Seconds())
			start = time.Now()
		}
	}
}

func ready(n int64, program []string, o *outcome) {
	for i := int64(0); i < n; i++ {
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		cmd := exec.CommandContext(ctx, program[0], program[1:]...)
		stdout, err := cmd.StdoutPipe()
		if err == nil {
			err = cmd.Start()
		}
		if err != nil {
			cancel()
			o.check(false, err.Error())
			return
		}
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		o.check(line == "ready\n", "no ready line")
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait() // "signal: terminated"
		cancel()
		o.parts = append(o.parts, time.Since(start).Seconds())
	}
}

func main() {
	usage := "usage: proctest_peer_go exec cases N|capture BYTES|pump IN OUT ERR|ready N PROGRAM..."
	if len(os.Args) < 5 || os.Args[1] != "exec" {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(64)
	}
	workload := os.Args[2]
	params := 1
	if workload == "pump" {
		params = 3
	}
	var num []int64
	for _, a := range os.Args[3 : 3+params] {
		v, err := strconv.ParseInt(a, 10, 64)
		if err != nil {
			fmt.Fprintln(os.Stderr, usage)
			os.Exit(64)
		}
		num = append(num, v)
	}
	program := os.Args[3+params:]
	if len(program) == 0 {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(64)
	}

	o := &outcome{n: 1}
	var m *measure
	switch workload {
	case "cases":
		o.n = num[0]
		m = startMeasure()
		cases(num[0], program, o)
		m.stop()
	case "capture", "pump":
		var input []byte
		if workload == "pump" {
			input = pumpInput(num[0])
			o.bytes = num[0] + num[1] + num[2]
		} else {
			o.bytes = num[0]
		}
		m = startMeasure()
		cmd := exec.Command(program[0], program[1:]...)
		if input != nil {
			cmd.Stdin = bytes.NewReader(input)
		}
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		m.stop()
		if workload == "pump" {
			o.check(err == nil && int64(stdout.Len()) == num[1] && int64(stderr.Len()) == num[2],
				"pump output")
		} else {
			o.check(err == nil && int64(stdout.Len()) == num[0], "captured size")
		}
	case "ready":
		o.n = num[0]
		m = startMeasure()
		ready(num[0], program, o)
		m.stop()
	default:
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(64)
	}
	parts := make([]string, len(o.parts))
	for i, p := range o.parts {
		parts[i] = fmt.Sprintf("%.9f", p)
	}
	fmt.Printf("{\"harness\": \"go\", \"workload\": \"%s\", \"ok\": %t, \"n\": %d, \"bytes\": %d, %s, "+
		"\"parts_s\": [%s], \"error\": \"%s\"}\n", workload, o.err == "", o.n, o.bytes, m.fields,
		strings.Join(parts, ", "), strings.ReplaceAll(o.err, "\"", "'"))
	if o.err != "" {
		os.Exit(1)
	}
}
