from distutils.core import setup
from Cython.Build import cythonize
import numpy
  ext_modules = cythonize("core.pyx"),
