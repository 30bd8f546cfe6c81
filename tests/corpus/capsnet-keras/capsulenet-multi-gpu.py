from keras import optimizers
    from keras.utils import multi_gpu_model
        multi_model = multi_gpu_model(model, gpus=args.gpus)
