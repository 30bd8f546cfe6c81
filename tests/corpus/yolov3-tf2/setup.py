from setuptools import setup
setup(name='yolov3_tf2',
      packages=['yolov3_tf2'])
