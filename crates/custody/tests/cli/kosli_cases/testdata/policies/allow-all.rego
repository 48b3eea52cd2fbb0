package policy

allow = true
