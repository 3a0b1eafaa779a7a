"""The schemas of every built-in Alloy component, as data (compiled by tools/compile_catalogue.py).

alloylite runs a few components; Alloy has 184. `validate` checks a config that uses
any of them: a name with no package of its own gets a `Registration` built from the
catalogue (`registration.catalogue_registration`), which decodes like a real one but
cannot be built, so `run` refuses it before anything starts.
"""
