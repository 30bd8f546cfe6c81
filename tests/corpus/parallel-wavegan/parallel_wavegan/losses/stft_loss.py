    x_stft = torch.stft(x, fft_size, hop_size, win_length, window)
