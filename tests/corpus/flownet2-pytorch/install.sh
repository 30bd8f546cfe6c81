python3 setup.py install --user
python3 setup.py install --user
python3 setup.py install --user
