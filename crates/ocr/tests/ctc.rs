//! Greedy CTC decoding on hand-made probability rows.

use jixiao_ocr::engine::ctc_greedy;

/// Classes: blank, "千", "人", "）".
fn charset() -> Vec<String> {
    ["", "千", "人", "）"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// One step's probabilities over the four classes.
fn step(blank: f32, a: f32, b: f32, c: f32) -> [f32; 4] {
    [blank, a, b, c]
}

#[test]
fn passed_over_characters_become_runners_up() {
    let steps = [
        step(0.1, 0.9, 0.0, 0.0),   // 千
        step(0.9, 0.08, 0.02, 0.0), // blank; "千" again is its own edge, not a runner-up
        step(0.1, 0.0, 0.9, 0.0),   // 人
        step(1.0, 0.0, 0.0, 0.0),
        step(0.6, 0.0, 0.0, 0.3), // blank, "）" close behind
        step(0.7, 0.0, 0.0, 0.2), // same run: one runner-up at its best step
        step(0.97, 0.0, 0.0, 0.03),
        step(1.0, 0.0, 0.0, 0.0),
    ];
    let probs: Vec<f32> = steps.iter().flatten().copied().collect();
    let r = ctc_greedy(&probs, 4, &charset());
    assert_eq!(r.text, "千人");
    assert_eq!(r.positions, vec![0.5 / 8.0, 2.5 / 8.0]);
    assert_eq!(r.runners_up.len(), 1);
    let u = &r.runners_up[0];
    assert_eq!(u.text, "）");
    assert_eq!(u.position, 4.5 / 8.0);
    assert!((u.probability - 0.3).abs() < 1e-6);
}

#[test]
fn each_character_read_keeps_its_most_probable_alternatives() {
    let steps = [
        step(0.1, 0.6, 0.3, 0.0),   // 千, 人 close behind
        step(0.2, 0.7, 0.05, 0.05), // still 千: 千 at its best step
        step(1.0, 0.0, 0.0, 0.0),
        step(0.1, 0.0, 0.9, 0.0), // 人 alone
    ];
    let probs: Vec<f32> = steps.iter().flatten().copied().collect();
    let r = ctc_greedy(&probs, 4, &charset());
    assert_eq!(r.text, "千人");
    let listed = |i: usize| -> Vec<(char, f32)> { r.alternatives[i].to_vec() };
    assert_eq!(listed(0)[..2], [('千', 0.7), ('人', 0.3)]);
    assert_eq!(listed(1)[0], ('人', 0.9));
    // The blank is no alternative.
    assert!(listed(1).iter().all(|a| a.0 != '\0'));
}
