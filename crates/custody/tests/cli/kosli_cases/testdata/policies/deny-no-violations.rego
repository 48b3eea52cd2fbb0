package policy

allow = false
