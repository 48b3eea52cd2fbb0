package policy

# y is bound by nothing, so the policy cannot be compiled.
default allow := false

allow if {
	x := y
	x == 7
}
