#!/bin/sh
# A director set-up script: the ipvsadm lines are linted like ipvsadm rules.
set -e
VIP=192.0.2.100
ipvsadm -C
ipvsadm --add-service --tcp-service $VIP:443 --scheduler wlc --persistent 300
ipvsadm -a -t $VIP:443 -r 10.0.0.11:443 -m -w 1
ipvsadm -a -t 192.0.2.100:443 -r 10.0.0.12:443 -m -w 1 -g
