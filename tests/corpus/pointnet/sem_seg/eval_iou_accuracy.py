    for j in xrange(gt_label.shape[0]):
print 'IoU:'
