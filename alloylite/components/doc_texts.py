"""Reference-doc sentences shared by several components' `doc=` texts."""

IGNORED = "Accepted for compatibility with Alloy and ignored."
