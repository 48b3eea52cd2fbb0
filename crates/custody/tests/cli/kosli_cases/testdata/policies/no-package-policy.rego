package foo

allow = true
