#!/usr/bin/env bash
# run-in-vm.sh - run a command inside a throwaway Debian-kernel VM (qemu) that has
# the Linux IPVS modules (ip_vs + schedulers) loaded, print its output on the host
# and exit with its exit status.
#
# Usage:
#   run-in-vm.sh [options] [--] COMMAND...        run COMMAND (joined by spaces) with sh -c
#   run-in-vm.sh [options] -c 'cmd; cmd'          same, as one string
#   run-in-vm.sh [options] -s script.sh [args]    run a shell script file (sh script.sh args)
# Options:
#   -f SRC[:DEST]   copy a file or directory into the guest (default DEST /vm/<basename>)
#   -b BIN[:DEST]   copy an executable plus every shared object `ldd` lists for it
#                   (default DEST /vm/bin/<basename>; /vm/bin is on PATH)
#   -m MOD          also modprobe MOD at boot (must be in the initramfs: see
#                   IPVS_VM_EXTRA_MODULES below)
#   --kvm | --tcg   force KVM or software emulation (default: auto = KVM when
#                   /dev/kvm is usable and the CPU shows vmx/svm, else TCG; a KVM
#                   boot that gives no result is retried under TCG)
#   --mem MB        guest memory (default 512)      --smp N   guest CPUs (default 1)
#   --timeout S     kill qemu after S seconds (default 600)
#   --append ARGS   extra kernel command-line arguments
#   --bzimage       boot the compressed vmlinuz via BIOS instead of the extracted
#                   vmlinux via PVH (slower under TCG; for comparison)
#   -v              copy the guest's kernel console to stderr after the run
#   --rebuild       rebuild the cached initramfs
#   --prepare       only download/extract/build the cache, run nothing
#   -h              this help
# Environment:
#   IPVS_VM_CACHE          cache dir (default /var/tmp/ipvs-vm-cache): debs, extracted
#                          kernel, initramfs
#   IPVS_VM_KERNEL_PKG     kernel package (default: whatever linux-image-amd64 depends on,
#                          e.g. linux-image-6.1.0-56-amd64)
#   IPVS_VM_EXTRA_MODULES  extra kernel modules (names) to put in the initramfs
#   IPVS_VM_MODULES        modules loaded at boot (default list below)
# Inside the guest: proc/sys/devtmpfs mounted, lo up, cwd /vm, PATH has
# /vm/bin, busybox applets and ipvsadm. The guest has NO network card (-nic none):
# any 10.x addresses you configure exist only inside the guest kernel.
# Output: the command's stdout+stderr (through the guest's 2nd serial port, ttyS1) is
# printed to stdout after the VM powers off; a line "[ipvs-vm] ..." with status
# and timing goes to stderr. Exit status: the command's, 125 for a harness error,
# or 77 when the VM cannot be had here (no qemu-system-x86_64, or the kernel
# packages cannot be downloaded): callers treat 77 as "skip".
# Adapted for this project from ../shared/tools/ipvs-vm/run-in-vm.sh: it no longer
# installs qemu itself (.ci/run does), everything else is unchanged, so both share
# the cache in $IPVS_VM_CACHE.
set -euo pipefail

CACHE=${IPVS_VM_CACHE:-/var/tmp/ipvs-vm-cache}
DEFAULT_LOAD="crc32c_generic nf_conntrack ip_vs ip_vs_rr ip_vs_wrr ip_vs_lc ip_vs_wlc ip_vs_sh ip_vs_dh ip_vs_lblc dummy veth"
LOAD_MODULES=${IPVS_VM_MODULES:-$DEFAULT_LOAD}
# everything in net/netfilter/ipvs/ is always included; these are added on top
BASE_MODULES="crc32c_generic libcrc32c nf_conntrack dummy veth"
EXTRA_MODULES=${IPVS_VM_EXTRA_MODULES:-}
DEBS_EXTRA="busybox-static ipvsadm libnl-3-200 libnl-genl-3-200 libpopt0"

accel=auto mem=512 smp=1 tmo=600 verbose=0 rebuild=0 prepare=0 kappend="" bzimage=0
cmd="" script="" files=() bins=() mods=()

die() { echo "[ipvs-vm] error: $*" >&2; exit 125; }
unavailable() { echo "[ipvs-vm] unavailable: $*" >&2; exit 77; }
log() { echo "[ipvs-vm] $*" >&2; }
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d;s/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    -c) cmd=$2; shift 2;;
    -s) script=$2; shift 2; break;;          # rest = script args
    -f) files+=("$2"); shift 2;;
    -b) bins+=("$2"); shift 2;;
    -m) mods+=("$2"); shift 2;;
    --kvm) accel=kvm; shift;;
    --tcg) accel=tcg; shift;;
    --mem) mem=$2; shift 2;;
    --smp) smp=$2; shift 2;;
    --timeout) tmo=$2; shift 2;;
    --append) kappend=$2; shift 2;;
    --bzimage) bzimage=1; shift;;
    -v) verbose=1; shift;;
    --rebuild) rebuild=1; shift;;
    --prepare) prepare=1; shift;;
    -h|--help) usage; exit 0;;
    --) shift; break;;
    -*) die "unknown option $1 (try -h)";;
    *) break;;
  esac
done
if [ -z "$script" ] && [ -z "$cmd" ] && [ $# -gt 0 ]; then cmd="$*"; set --; fi
[ -n "$script$cmd" ] || [ "$prepare" = 1 ] || { usage >&2; exit 125; }

t0=$(date +%s.%N)

# ---------------------------------------------------------------- host tools
command -v qemu-system-x86_64 >/dev/null ||
  unavailable "qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"
command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null ||
  unavailable "needs apt-get and dpkg-deb to fetch the guest kernel"

# ---------------------------------------------------------------- downloads
mkdir -p "$CACHE/debs"
exec 9>"$CACHE/.lock"; flock 9          # one builder at a time; released before boot
kpkg=${IPVS_VM_KERNEL_PKG:-}
if [ -z "$kpkg" ]; then
  # reuse a kernel already downloaded, else ask apt which one linux-image-amd64 wants
  kpkg=$(cd "$CACHE/debs" && ls linux-image-*-amd64_*.deb 2>/dev/null | sed 's/_.*//' | sort -V | tail -1 || true)
fi
if [ -z "$kpkg" ]; then
  kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
  if [ -z "$kpkg" ]; then apt-get update >/dev/null; kpkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}'); fi
  [ -n "$kpkg" ] || unavailable "cannot resolve linux-image-amd64 to a versioned package"
fi
kver=${kpkg#linux-image-}
need=()
for p in "$kpkg" $DEBS_EXTRA; do ls "$CACHE/debs/${p}_"*.deb >/dev/null 2>&1 || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then
  log "apt-get download ${need[*]}"
  (cd "$CACHE/debs" && apt-get download "${need[@]}" >/dev/null 2>&1) ||
    { apt-get update >/dev/null && (cd "$CACHE/debs" && apt-get download "${need[@]}" >/dev/null 2>&1); } ||
    unavailable "apt-get download ${need[*]} failed"
fi
ROOT=$CACHE/root-$kver          # all debs extracted here
if [ ! -e "$ROOT/.done" ]; then
  log "extracting debs into $ROOT"
  rm -rf "$ROOT"; mkdir -p "$ROOT"
  for p in "$kpkg" $DEBS_EXTRA; do dpkg-deb -x "$(ls "$CACHE/debs/${p}_"*.deb | tail -1)" "$ROOT"; done
  # busybox depmod writes modules.dep/alias/symbols (the .deb ships none: its postinst runs depmod)
  "$ROOT/bin/busybox" depmod -b "$ROOT" "$kver"
  touch "$ROOT/.done"
fi
BB=$ROOT/bin/busybox
VMLINUZ=$ROOT/boot/vmlinuz-$kver
MODDIR=$ROOT/lib/modules/$kver
# The uncompressed ELF vmlinux boots through its PVH entry point (CONFIG_PVH=y):
# no BIOS real-mode setup and no in-guest XZ decompression, which under TCG
# halves the boot (about 3.5 s instead of 7 s). Falls back to the bzImage.
KERNEL=$CACHE/vmlinux-$kver
if [ ! -s "$KERNEL" ]; then
  off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$VMLINUZ" | head -1 | cut -d: -f1 || true)
  if [ -n "$off" ]; then tail -c +$((off + 1)) "$VMLINUZ" | xz -dc > "$KERNEL.tmp" 2>/dev/null || true; fi
  # xz complains about the bytes after the stream (exit 1) but the output is complete
  if [ -s "$KERNEL.tmp" ] && [ "$(head -c 4 "$KERNEL.tmp" | od -An -c | tr -d ' ')" = '177ELF' ]; then
    mv "$KERNEL.tmp" "$KERNEL"
  else rm -f "$KERNEL.tmp"; fi
fi
[ -s "$KERNEL" ] && [ "$bzimage" = 0 ] || KERNEL=$VMLINUZ

# copy an executable and the shared objects ldd finds for it into staging dir $1
# (.so files go to /lib/x86_64-linux-gnu/<name>, the loader to its own absolute path)
copy_with_libs() { # stage src dest
  local st=$1 src=$2 dest=$3 line lib
  mkdir -p "$st$(dirname "$dest")" "$st/lib/x86_64-linux-gnu" "$st/lib64"
  cp -L "$src" "$st$dest"; chmod +x "$st$dest"
  # (ldd exits 1 for static executables and scripts: nothing to copy then, not an error)
  { LD_LIBRARY_PATH="$ROOT/lib/x86_64-linux-gnu:$ROOT/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    ldd "$src" 2>/dev/null || true; } | while read -r line; do
    case "$line" in
      *"not a dynamic executable"*|*"statically linked"*) ;;
      *"=> not found"*) echo "[ipvs-vm] warning: $src: $line" >&2;;
      *"=> /"*) lib=$(echo "$line" | awk '{print $3}'); cp -L "$lib" "$st/lib/x86_64-linux-gnu/$(echo "$line" | awk '{print $1}')";;
      /*) lib=$(echo "$line" | awk '{print $1}'); mkdir -p "$st$(dirname "$lib")"; cp -L "$lib" "$st$lib";;
    esac
  done
}

# ---------------------------------------------------------------- base initramfs
INITRD=$CACHE/initramfs-$kver.cpio.gz
stamp="$kver|$EXTRA_MODULES|$(sed -n '/^# -* base initramfs/,/^# -* per-run overlay/p' "$0" | sha256sum | cut -c1-16)"
if [ "$rebuild" = 1 ] || [ ! -e "$INITRD" ] || [ "$(cat "$INITRD.stamp" 2>/dev/null)" != "$stamp" ]; then
  log "building $INITRD"
  ST=$CACHE/stage-$kver; rm -rf "$ST"; mkdir -p "$ST"/{bin,lib/x86_64-linux-gnu,lib64,etc,proc,sys,dev,tmp,run,vm/bin,root}
  ln -s bin "$ST/sbin"; mkdir -p "$ST/usr/lib"; ln -s ../bin "$ST/usr/bin"; ln -s ../bin "$ST/usr/sbin"
  ln -s ../../lib/x86_64-linux-gnu "$ST/usr/lib/x86_64-linux-gnu"
  cp "$BB" "$ST/bin/busybox"
  for a in $("$BB" --list); do [ "$a" = busybox ] || ln -sf busybox "$ST/bin/$a"; done
  copy_with_libs "$ST" "$ROOT/sbin/ipvsadm" /bin/ipvsadm
  # kernel modules: all of ipvs + BASE_MODULES + EXTRA_MODULES, with modules.dep closure
  want=$( (cd "$MODDIR" && ls kernel/net/netfilter/ipvs/*.ko); for m in $BASE_MODULES $EXTRA_MODULES; do
           grep -E "(^|/)${m}\.ko:" "$MODDIR/modules.dep" | head -1 | cut -d: -f1 || true; done)
  for m in $BASE_MODULES $EXTRA_MODULES; do
    grep -qE "(^|/)${m}\.ko:" "$MODDIR/modules.dep" || grep -qE "/${m}\.ko$" "$MODDIR/modules.builtin" || die "no module $m in $kver"
  done
  all=$(for w in $want; do echo "$w"; grep -E "^$w:" "$MODDIR/modules.dep" | cut -d: -f2 | tr ' ' '\n'; done | sed '/^$/d' | sort -u)
  for f in $all; do mkdir -p "$ST/lib/modules/$kver/$(dirname "$f")"; cp "$MODDIR/$f" "$ST/lib/modules/$kver/$f"; done
  cp "$MODDIR"/modules.builtin* "$MODDIR/modules.order" "$ST/lib/modules/$kver/"
  "$BB" depmod -b "$ST" "$kver"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$ST/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$ST/etc/group"
  printf '127.0.0.1 localhost ipvs-vm\n::1 localhost\n' > "$ST/etc/hosts"
  cat > "$ST/init" <<'EOF'
#!/bin/sh
export PATH=/vm/bin:/bin HOME=/root TERM=dumb
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm; mount -t devpts devpts /dev/pts; mount -t tmpfs tmpfs /dev/shm
OUT=/dev/ttyS1                       # host reads the command's output from COM2 ...
STATUS=/dev/ttyS2                    # ... and its exit status from COM3
stty -F $OUT raw -echo 2>/dev/null   # no \n -> \r\n translation
hostname ipvs-vm; ip link set lo up
for m in $(cat /etc/ipvs-vm/modules 2>/dev/null); do
  modprobe "$m" || echo "[ipvs-vm guest] modprobe $m failed" >$OUT
done
cd /vm
sh /vm/.cmd.sh >$OUT 2>&1 </dev/null
rc=$?
echo "__IPVS_VM_EXIT__=$rc" >$STATUS
poweroff -f
EOF
  chmod +x "$ST/init"
  (cd "$ST" && find . | "$BB" cpio -o -H newc -R 0:0 2>/dev/null) | gzip -6 > "$INITRD.tmp"
  # pad to a multiple of 4 so an uncompressed cpio appended after it starts aligned
  sz=$(stat -c %s "$INITRD.tmp"); pad=$(( (4 - sz % 4) % 4 )); head -c $pad /dev/zero >> "$INITRD.tmp"
  mv "$INITRD.tmp" "$INITRD"; echo "$stamp" > "$INITRD.stamp"
  log "initramfs: $(du -h "$INITRD" | cut -f1) ($(find "$ST/lib/modules" -name '*.ko' | wc -l) modules)"
fi
flock -u 9
[ "$prepare" = 1 ] && { log "cache ready: kernel $kver ($KERNEL), $INITRD"; exit 0; }

# ---------------------------------------------------------------- per-run overlay
TMP=$(mktemp -d /tmp/ipvs-vm-run.XXXXXX); trap 'rm -rf "$TMP"' EXIT
RS=$TMP/stage; mkdir -p "$RS/vm/bin" "$RS/etc/ipvs-vm"
sq() { printf "'%s' " "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }   # POSIX single-quote an arg
if [ -n "$script" ]; then
  [ -f "$script" ] || die "no such script: $script"
  cp "$script" "$RS/vm/$(basename "$script")"
  { printf 'sh /vm/%s ' "$(basename "$script")"; for a in "$@"; do sq "$a"; done; echo; } > "$RS/vm/.cmd.sh"
else printf '%s\n' "$cmd" > "$RS/vm/.cmd.sh"; fi
echo "$LOAD_MODULES ${mods[*]:-}" > "$RS/etc/ipvs-vm/modules"
for spec in "${files[@]:+${files[@]}}"; do
  src=${spec%%:*}; dest=${spec#*:}; [ "$dest" != "$spec" ] || dest=/vm/$(basename "$src")
  [ -e "$src" ] || die "no such file: $src"
  mkdir -p "$RS$(dirname "$dest")"; cp -a "$src" "$RS$dest"
done
for spec in "${bins[@]:+${bins[@]}}"; do
  src=${spec%%:*}; dest=${spec#*:}; [ "$dest" != "$spec" ] || dest=/vm/bin/$(basename "$src")
  [ -e "$src" ] || die "no such file: $src"
  copy_with_libs "$RS" "$src" "$dest"
done
(cd "$RS" && find . -mindepth 1 | "$BB" cpio -o -H newc -R 0:0 2>/dev/null) > "$TMP/run.cpio"
cat "$INITRD" "$TMP/run.cpio" > "$TMP/initrd"

# ---------------------------------------------------------------- boot
# Nested KVM without vmx/svm (e.g. the PVM flavour, module kvm_pvm) cannot run a
# stock kernel: qemu aborts with -cpu host, or the guest crawls and dies with
# "KVM internal error ... emulation failure". Auto mode only uses real VT-x/AMD-V.
kvm_ok() { [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; }
boot() { # accel -> sets rc_q
  local a=$1 acc
  if [ "$a" = kvm ]; then acc=(-enable-kvm -cpu host); else acc=(-accel tcg -cpu max); fi
  : > "$TMP/console.log"; : > "$TMP/out.log"; : > "$TMP/status.log"
  set +e
  timeout --foreground -k 5 "$tmo" qemu-system-x86_64 "${acc[@]}" -m "$mem" -smp "$smp" \
    -nodefaults -no-user-config -display none -vga none -nic none -no-reboot \
    -kernel "$KERNEL" -initrd "$TMP/initrd" \
    -append "console=ttyS0 panic=-1 quiet loglevel=4 rdinit=/init $kappend" \
    -serial "file:$TMP/console.log" -serial "file:$TMP/out.log" -serial "file:$TMP/status.log" \
    </dev/null >"$TMP/qemu.log" 2>&1
  rc_q=$?
  set -e
}
used=$accel
if [ "$accel" = auto ]; then if kvm_ok; then used=kvm; else used=tcg; fi; fi
boot "$used"
if ! grep -qa '__IPVS_VM_EXIT__=' "$TMP/status.log" && [ "$accel" = auto ] && [ "$used" = kvm ]; then
  log "KVM boot gave no result (qemu rc $rc_q: $(head -c 300 "$TMP/qemu.log" | tr '\n' ' ')); retrying with TCG"
  used=tcg; boot tcg
fi
t1=$(date +%s.%N)
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')

status=$( (grep -a '__IPVS_VM_EXIT__=' "$TMP/status.log" || true) | tail -1 | cut -d= -f2 | tr -dc '0-9')
cat "$TMP/out.log"
if [ "$verbose" = 1 ] || [ -z "$status" ]; then
  echo "----- guest console (ttyS0) -----" >&2; tail -n 60 "$TMP/console.log" >&2
  [ -s "$TMP/qemu.log" ] && { echo "----- qemu -----" >&2; cat "$TMP/qemu.log" >&2; }
fi
if [ -z "$status" ]; then
  log "no exit status from guest (qemu rc $rc_q; $([ "$rc_q" = 124 ] && echo "timed out after ${tmo}s, ")accel $used, ${secs}s)"
  exit 125
fi
log "exit status $status (kernel $kver, accel $used, ${secs}s wall)"
exit "$status"
