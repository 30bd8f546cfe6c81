import paddle
            self.model, self.optimizer = paddle.amp.decorate(
