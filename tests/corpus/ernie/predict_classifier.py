import paddle.fluid as fluid
