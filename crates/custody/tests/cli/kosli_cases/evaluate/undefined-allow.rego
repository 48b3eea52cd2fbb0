package policy

# No default: a body that does not hold leaves allow undefined.
allow if {
	input.score > 3
}
