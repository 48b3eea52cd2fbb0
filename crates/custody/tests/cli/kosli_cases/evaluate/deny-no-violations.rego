package policy

# Denies with no reason given.
allow = false
