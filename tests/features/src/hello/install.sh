#!/bin/sh
set -e
mkdir -p /opt/hello/bin
{
  echo "greeting=$GREETING"
  echo "loud=$LOUD"
  echo "remote_user=$_REMOTE_USER"
  echo "container_user=$_CONTAINER_USER"
  echo "remote_user_home=$_REMOTE_USER_HOME"
  echo "container_user_home=$_CONTAINER_USER_HOME"
  echo "hello_home=$HELLO_HOME"
} > /opt/hello/install-env
printf '#!/bin/sh\necho "%s from hello"\n' "$GREETING" > /opt/hello/bin/hello
chmod +x /opt/hello/bin/hello
echo hello >> /opt/feature-order
