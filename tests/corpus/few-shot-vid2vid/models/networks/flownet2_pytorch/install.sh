python setup.py install --user
python setup.py install --user
python setup.py install --user
