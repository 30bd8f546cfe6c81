python setup_linux.py build_ext --inplace
python setup_linux.py build_ext --inplace
python setup_linux.py build_ext --inplace
