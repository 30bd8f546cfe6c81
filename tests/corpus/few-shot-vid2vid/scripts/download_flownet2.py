os.system('cd models/networks/flownet2_pytorch/; bash install.sh; cd ../../../')
