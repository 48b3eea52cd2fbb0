package policy

allow = false

violations contains msg if {
	msg := "always denied"
}
