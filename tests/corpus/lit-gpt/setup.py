    readme = fo.read()
setup(
