package probe

import "net"

type localListener struct {
	l    net.Listener
	port int
}

func listenLocal() (*localListener, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	return &localListener{l: l, port: l.Addr().(*net.TCPAddr).Port}, nil
}

func (l *localListener) close() { _ = l.l.Close() }
