  auto dweight = at::empty(z.type(), {0});
  auto dbias = at::empty(z.type(), {0});
