/**
 * The BAN that stage and CLI tests train in seconds (32 mels × 32 frames,
 * widths 4–8, two iterations per recurrent area), and its training section
 * (a checkpoint every 2 epochs, a third of the clips each for validation and
 * test). One definition, so the tests that compare their outputs train the
 * same network.
 */
export function tinyBanModel(pbTimes = 2, tTimes = 2) {
  return {
    nMels: 32,
    frames: 32,
    a1Width: 4,
    scale: 2,
    fcHidden: [8],
    areas: [
      { name: 'belt', width: 8, times: 2 },
      { name: 'pb', width: 8, times: pbTimes },
      { name: 't', width: 8, times: tTimes },
    ],
  };
}

export function tinyBanTraining(epochs = 4) {
  return { epochs, batchSize: 4, lr: 0.003, checkpointEvery: 2, valFraction: 0.34, testFraction: 0.34, patience: 10 };
}
