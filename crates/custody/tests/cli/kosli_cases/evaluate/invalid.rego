package policy

allow = {{{
