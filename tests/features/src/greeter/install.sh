#!/bin/sh
set -e
# hello is installed first (dependsOn), so its command and containerEnv are there.
hello > /opt/greeter-said
echo "name=$NAME hello_home=$HELLO_HOME" >> /opt/greeter-said
echo greeter >> /opt/feature-order
