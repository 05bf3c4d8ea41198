S="strace -e trace=sendmsg,recvmsg -xx -s 65536 -o"
n=0
cap() { n=$((n+1)); echo "=== $n: ipvsadm $*"; $S /tmp/t$n ipvsadm "$@"; echo "rc=$?"; grep -E 'sendmsg|recvmsg' /tmp/t$n; }
cap -A -t 192.0.2.1:80 -s wrr
cap -A -u 192.0.2.1:53 -s sh -b sh-fallback,sh-port -p 300 -M 255.255.255.0
cap -A -t [2001:db8::1]:443 -s rr -p 60 -M 64
cap -A -f 7 -s lc
cap -a -t 192.0.2.1:80 -r 198.51.100.2:8080 -m -w 3 -x 100 -y 10
cap -a -t 192.0.2.1:80 -r 198.51.100.3:80 -g -w 1
cap -a -t 192.0.2.1:80 -r 198.51.100.4:80 -i -w 2 --tun-type gue --tun-port 6080 --tun-nocsum
cap -e -t 192.0.2.1:80 -r 198.51.100.2:8080 -m -w 5
cap -E -t 192.0.2.1:80 -s wlc
cap -Ln
cap -d -t 192.0.2.1:80 -r 198.51.100.3:80
cap -D -f 7
cap -C
