package policy

some_other_rule = true
