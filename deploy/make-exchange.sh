#!/bin/sh
# Create nbgrader's exchange folder for one course on a shared machine (run as root, once).
#
#   deploy/make-exchange.sh [EXCHANGE [INSTRUCTOR [COURSE_ID]]]
#   defaults:               /srv/nbgrader/exchange  instructor  dlcourse
#
# The modes are the ones nbgrader 0.9.6 itself gives these folders when the instructor
# releases, plus two sticky bits (marked +t) so that no student can rename or delete what
# is not theirs (see docs/jupyterhub.md, "What students can and cannot see"):
#
#   EXCHANGE                   root        1777  everyone must be able to write (nbgrader checks it)
#   EXCHANGE/COURSE            INSTRUCTOR  0755
#   EXCHANGE/COURSE/outbound   INSTRUCTOR  0755  released assignments, readable by all
#   EXCHANGE/COURSE/inbound    INSTRUCTOR  3733  submissions: students may add, not list (+t, g+s)
#   EXCHANGE/COURSE/feedback   INSTRUCTOR  0711  feedback, found only by its secret hash
#
# Running it again repairs the modes and owners of these five folders, nothing inside them.
set -eu
EXCHANGE=${1:-/srv/nbgrader/exchange}
INSTRUCTOR=${2:-instructor}
COURSE=${3:-dlcourse}
GROUP=$(id -gn "$INSTRUCTOR")

mkdir -p "$EXCHANGE/$COURSE/outbound" "$EXCHANGE/$COURSE/inbound" "$EXCHANGE/$COURSE/feedback"
chown root:root "$EXCHANGE"
chown "$INSTRUCTOR:$GROUP" "$EXCHANGE/$COURSE" "$EXCHANGE/$COURSE/outbound" \
      "$EXCHANGE/$COURSE/inbound" "$EXCHANGE/$COURSE/feedback"
# chmod after chown: the special bits (sticky, setgid) are set last
chmod 1777 "$EXCHANGE"
chmod 0755 "$EXCHANGE/$COURSE" "$EXCHANGE/$COURSE/outbound"
chmod 3733 "$EXCHANGE/$COURSE/inbound"
chmod 0711 "$EXCHANGE/$COURSE/feedback"
echo "exchange ready: $EXCHANGE/$COURSE (instructor $INSTRUCTOR)"
