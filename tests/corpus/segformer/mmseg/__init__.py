import mmcv
MMCV_MIN = '1.1.4'
MMCV_MAX = '1.3.0'
