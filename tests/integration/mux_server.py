# A server for forward_session_test.cpp and bench/forward.sh, run by python3 in the container on its
# loopback (or the address given after the port). Each
# connection's first line says what it wants:
#   echo      everything after the line comes back; the server's end follows the client's
#   hash      the sha256 (hex) of everything after the line, once the client has half-closed
#   gen N     N bytes, byte k being k % 251, then the end
import hashlib
import socket
import sys
import threading

PATTERN = bytes(k % 251 for k in range(251 * 261))  # a multiple of 251 bytes, 65511


def serve(conn):
    with conn:
        f = conn.makefile("rb")
        words = f.readline().split()
        if not words:
            return
        if words[0] == b"echo":
            while data := f.read1(65536):
                conn.sendall(data)
            conn.shutdown(socket.SHUT_WR)
        elif words[0] == b"hash":
            h = hashlib.sha256()
            while data := f.read1(65536):
                h.update(data)
            conn.sendall(h.hexdigest().encode())
        elif words[0] == b"gen":
            left = int(words[1])
            try:
                while left > 0:
                    piece = PATTERN[: min(left, len(PATTERN))]
                    conn.sendall(piece)
                    left -= len(piece)
            except OSError:
                pass  # the client (or the forward) went away


def main():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1", int(sys.argv[1])))
    s.listen(256)
    while True:
        conn, _ = s.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


main()
