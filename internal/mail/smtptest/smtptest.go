// Package smtptest is an SMTP server for tests: it listens on loopback,
// speaks enough SMTP for net/smtp (no TLS, no authentication) and hands
// each message it receives to the test.
package smtptest

import (
	"bufio"
	"net"
	"strings"
	"testing"
)

// Message is one message as received.
type Message struct {
	From, To string
	Data     string // headers and body, dot-unstuffed, CRLF line ends
}

// Server is a running SMTP listener.
type Server struct {
	Addr     string
	Host     string
	Port     string
	Messages chan Message
	ln       net.Listener
}

// Start listens on 127.0.0.1 until the test ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String(), Messages: make(chan Message, 100), ln: ln}
	s.Host, s.Port, _ = net.SplitHostPort(s.Addr)
	go s.serve()
	tb.Cleanup(func() { ln.Close() })
	return s
}

func (s *Server) serve() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		go s.session(c)
	}
}

func (s *Server) session(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) bool {
		_, err := c.Write([]byte(line + "\r\n"))
		return err == nil
	}
	if !say("220 smtptest ready") {
		return
	}
	var m Message
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250-smtptest")
			say("250 8BITMIME")
		case strings.HasPrefix(cmd, "MAIL FROM:"):
			m = Message{From: addr(line)}
			say("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			m.To = addr(line)
			say("250 ok")
		case cmd == "DATA":
			say("354 go ahead")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" || l == ".\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			m.Data = data.String()
			s.Messages <- m
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

func addr(line string) string {
	i, j := strings.Index(line, "<"), strings.LastIndex(line, ">")
	if i < 0 || j < i {
		return ""
	}
	return line[i+1 : j]
}
