// Parameter shapes of the CIFAR ResNet-18 (11 173 962 entries), the size the SSAM papers mask.
export function resnet18Shapes(classes = 10): Record<string, number[]> {
  const shapes: Record<string, number[]> = { 'conv1.w': [64, 3, 3, 3], 'bn1.scale': [64], 'bn1.offset': [64] };
  let cin = 64;
  [64, 128, 256, 512].forEach((c, stage) => {
    for (let b = 0; b < 2; b++) {
      const p = `layer${stage + 1}.${b}`;
      shapes[`${p}.conv1.w`] = [c, b === 0 ? cin : c, 3, 3];
      shapes[`${p}.bn1.scale`] = [c];
      shapes[`${p}.bn1.offset`] = [c];
      shapes[`${p}.conv2.w`] = [c, c, 3, 3];
      shapes[`${p}.bn2.scale`] = [c];
      shapes[`${p}.bn2.offset`] = [c];
      if (b === 0 && cin !== c) {
        shapes[`${p}.shortcut.w`] = [c, cin, 1, 1];
        shapes[`${p}.shortcut.bn.scale`] = [c];
        shapes[`${p}.shortcut.bn.offset`] = [c];
      }
    }
    cin = c;
  });
  shapes['fc.w'] = [classes, 512];
  shapes['fc.b'] = [classes];
  return shapes;
}
