//! The story, August to September 2022. cyber-dojo moves from GKE to ECS on
//! 1 August with Kosli reporting from day one; every service is built, tested and
//! rolled out to aws-beta, then promoted to aws-prod. `runner` has run with one
//! task since the migration; on 22 August commit 16d9990 gives it three, the
//! artifact `kosli get artifact runner:16d9990` follows in the tutorial.
//!
//! Snapshot numbers matter: a roll-out step or a scaling is one snapshot, so the
//! count of them before 16d9990 arrives decides that it starts in aws-beta#84 and
//! aws-prod#65 (the loader checks every index the server returns).

mod since_the_fix;

use crate::catalog::Env::{Beta, Prod};
use crate::dates::aug;
use crate::event::{
    Event, blue_green, build, build_below_coverage, build_without_coverage, deploy, external,
    report, scale, setup,
};

/// Every event, in no particular order.
pub fn events() -> Vec<Event> {
    [
        migration(),
        first_weeks(),
        base_image_update(),
        since_the_fix::the_fix(),
        since_the_fix::after_the_fix(),
        since_the_fix::september(),
        daily_reports(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// 1 August: flows, environments, the first builds, the move to ECS.
fn migration() -> Vec<Event> {
    vec![
        setup(aug(1, 7, 30, 0)),
        build(aug(1, 8, 2, 0), "creator", "1e27a1c"),
        build(aug(1, 8, 9, 0), "dashboard", "6b0d549"),
        build(aug(1, 8, 16, 0), "differ", "9e7769b"),
        build(aug(1, 8, 23, 0), "nginx", "b64ce42"),
        build(aug(1, 8, 30, 0), "repler", "881ed16"),
        build(aug(1, 8, 37, 0), "runner", "3d9c172"),
        build(aug(1, 8, 44, 0), "saver", "9531985"),
        build(aug(1, 8, 51, 0), "shas", "c7a2ea2"),
        build(aug(1, 8, 58, 0), "web", "2e05319"),
        // The start-points are still one image, built outside any reporting pipeline.
        external(aug(1, 9, 5, 0), "start-points-base", "506bf2e"),
        deploy(aug(1, 9, 30, 0), "1e27a1c", Beta, blue_green(1)),
        deploy(aug(1, 9, 32, 0), "6b0d549", Beta, blue_green(1)),
        deploy(aug(1, 9, 34, 0), "9e7769b", Beta, blue_green(1)),
        deploy(aug(1, 9, 36, 0), "b64ce42", Beta, blue_green(1)),
        deploy(aug(1, 9, 38, 0), "881ed16", Beta, blue_green(1)),
        deploy(aug(1, 9, 40, 0), "3d9c172", Beta, blue_green(1)),
        deploy(aug(1, 9, 42, 0), "9531985", Beta, blue_green(1)),
        deploy(aug(1, 9, 44, 0), "c7a2ea2", Beta, blue_green(1)),
        deploy(aug(1, 9, 46, 0), "2e05319", Beta, blue_green(1)),
        deploy(aug(1, 9, 48, 0), "506bf2e", Beta, blue_green(1)),
        report(aug(1, 10, 40, 0), Beta),
        deploy(aug(1, 10, 10, 0), "1e27a1c", Prod, blue_green(1)),
        deploy(aug(1, 10, 12, 0), "6b0d549", Prod, blue_green(1)),
        deploy(aug(1, 10, 14, 0), "9e7769b", Prod, blue_green(1)),
        deploy(aug(1, 10, 16, 0), "b64ce42", Prod, blue_green(1)),
        deploy(aug(1, 10, 18, 0), "881ed16", Prod, blue_green(1)),
        // The task count the tutorial's commit fixes: one instead of three.
        deploy(aug(1, 10, 20, 0), "3d9c172", Prod, blue_green(1)),
        deploy(aug(1, 10, 22, 0), "9531985", Prod, blue_green(1)),
        deploy(aug(1, 10, 24, 0), "c7a2ea2", Prod, blue_green(1)),
        deploy(aug(1, 10, 26, 0), "2e05319", Prod, blue_green(3)),
        deploy(aug(1, 10, 28, 0), "506bf2e", Prod, blue_green(1)),
        report(aug(1, 11, 0, 0), Prod),
    ]
}

/// 2–19 August: day-to-day development; web scales out at busy times.
fn first_weeks() -> Vec<Event> {
    vec![
        build(aug(2, 10, 12, 0), "runner", "34b9b5d"),
        deploy(aug(2, 10, 20, 0), "34b9b5d", Beta, blue_green(1)),
        deploy(aug(2, 14, 5, 0), "34b9b5d", Prod, blue_green(1)),
        build(aug(2, 15, 30, 0), "web", "18f135d"),
        deploy(aug(2, 15, 40, 0), "18f135d", Beta, blue_green(1)),
        deploy(aug(3, 9, 20, 0), "18f135d", Prod, blue_green(3)),
        build(aug(3, 11, 0, 0), "saver", "0cb1e29"),
        deploy(aug(3, 11, 10, 0), "0cb1e29", Beta, blue_green(1)),
        build(aug(3, 13, 0, 0), "creator", "e8e25d9"),
        deploy(aug(3, 13, 10, 0), "e8e25d9", Beta, blue_green(1)),
        deploy(aug(3, 16, 0, 0), "0cb1e29", Prod, blue_green(1)),
        build(aug(4, 9, 30, 0), "creator", "24ede6a"),
        deploy(aug(4, 9, 40, 0), "24ede6a", Beta, blue_green(1)),
        deploy(aug(4, 11, 15, 0), "24ede6a", Prod, blue_green(1)),
        build(aug(4, 14, 20, 0), "runner", "f28c105"),
        deploy(aug(4, 14, 30, 0), "f28c105", Beta, blue_green(1)),
        deploy(aug(5, 10, 0, 0), "f28c105", Prod, blue_green(1)),
        build_without_coverage(aug(5, 10, 30, 0), "differ", "f29d0da"),
        deploy(aug(5, 10, 40, 0), "f29d0da", Beta, blue_green(1)),
        scale(aug(5, 11, 10, 0), "web", Prod, 4),
        scale(aug(5, 15, 30, 0), "web", Prod, 3),
        // The start-points get their own pipelines, in aws-beta first.
        build(aug(8, 9, 10, 0), "custom-start-points", "cb5c742"),
        build(aug(8, 9, 25, 0), "exercises-start-points", "a38fd54"),
        build(aug(8, 9, 40, 0), "languages-start-points", "8e81973"),
        deploy(aug(8, 10, 0, 0), "cb5c742", Beta, blue_green(1)),
        deploy(aug(8, 10, 5, 0), "a38fd54", Beta, blue_green(1)),
        deploy(aug(8, 10, 10, 0), "8e81973", Beta, blue_green(1)),
        scale(aug(8, 10, 20, 0), "start-points-base", Beta, 0),
        build(aug(8, 13, 40, 0), "runner", "f9ebdac"),
        deploy(aug(8, 13, 50, 0), "f9ebdac", Beta, blue_green(1)),
        deploy(aug(9, 9, 45, 0), "f9ebdac", Prod, blue_green(1)),
        build(aug(9, 10, 20, 0), "nginx", "14f4733"),
        deploy(aug(9, 10, 30, 0), "14f4733", Beta, blue_green(1)),
        build_below_coverage(aug(9, 11, 30, 0), "dashboard", "52e6b43"),
        deploy(aug(9, 11, 40, 0), "52e6b43", Beta, blue_green(1)),
        deploy(aug(9, 15, 10, 0), "14f4733", Prod, blue_green(1)),
        build(aug(10, 9, 15, 0), "dashboard", "5c90a95"),
        deploy(aug(10, 9, 25, 0), "5c90a95", Beta, blue_green(1)),
        scale(aug(10, 10, 40, 0), "web", Prod, 4),
        build(aug(10, 11, 0, 0), "version-reporter", "f2a74de"),
        deploy(aug(10, 11, 10, 0), "f2a74de", Beta, blue_green(1)),
        scale(aug(10, 12, 30, 0), "web", Beta, 2),
        deploy(aug(10, 14, 0, 0), "5c90a95", Prod, blue_green(1)),
        scale(aug(10, 16, 20, 0), "web", Prod, 3),
        build(aug(11, 10, 5, 0), "runner", "0becd7b"),
        deploy(aug(11, 10, 15, 0), "0becd7b", Beta, blue_green(1)),
        deploy(aug(11, 13, 30, 0), "0becd7b", Prod, blue_green(1)),
        build(aug(11, 14, 0, 0), "repler", "3926305"),
        deploy(aug(11, 14, 10, 0), "3926305", Beta, blue_green(1)),
        deploy(aug(12, 9, 30, 0), "3926305", Prod, blue_green(1)),
        build(aug(12, 10, 45, 0), "saver", "dbc496c"),
        deploy(aug(12, 10, 55, 0), "dbc496c", Beta, blue_green(1)),
        scale(aug(12, 11, 20, 0), "web", Prod, 4),
        build(aug(12, 13, 20, 0), "version-reporter", "4cbd87a"),
        deploy(aug(12, 13, 30, 0), "4cbd87a", Beta, blue_green(1)),
        scale(aug(12, 14, 50, 0), "web", Prod, 3),
        deploy(aug(12, 15, 0, 0), "dbc496c", Prod, blue_green(1)),
        build(aug(15, 9, 50, 0), "runner", "b2f14c9"),
        deploy(aug(15, 10, 0, 0), "b2f14c9", Beta, blue_green(1)),
        build(aug(15, 11, 0, 0), "languages-start-points", "658cda1"),
        deploy(aug(15, 11, 10, 0), "658cda1", Beta, blue_green(1)),
        deploy(aug(15, 14, 10, 0), "b2f14c9", Prod, blue_green(1)),
        build(aug(16, 10, 0, 0), "web", "36f675c"),
        deploy(aug(16, 10, 10, 0), "36f675c", Beta, blue_green(2)),
        build(aug(16, 12, 0, 0), "shas", "6513270"),
        deploy(aug(16, 12, 10, 0), "6513270", Beta, blue_green(1)),
        build(aug(16, 13, 0, 0), "exercises-start-points", "4ef8aa3"),
        deploy(aug(16, 13, 10, 0), "4ef8aa3", Beta, blue_green(1)),
        deploy(aug(16, 14, 30, 0), "36f675c", Prod, blue_green(3)),
        deploy(aug(16, 16, 0, 0), "6513270", Prod, blue_green(1)),
        build(aug(17, 9, 40, 0), "runner", "6f03675"),
        deploy(aug(17, 9, 50, 0), "6f03675", Beta, blue_green(1)),
        scale(aug(17, 10, 50, 0), "web", Prod, 4),
        build(aug(17, 11, 0, 0), "custom-start-points", "9227665"),
        deploy(aug(17, 11, 10, 0), "9227665", Beta, blue_green(1)),
        deploy(aug(17, 13, 15, 0), "6f03675", Prod, blue_green(1)),
        scale(aug(17, 17, 10, 0), "web", Prod, 3),
        // Superseded in aws-beta before anyone promoted it.
        build(aug(18, 10, 30, 0), "runner", "1a61dbe"),
        deploy(aug(18, 10, 40, 0), "1a61dbe", Beta, blue_green(1)),
        build(aug(18, 11, 30, 0), "creator", "953f48f"),
        deploy(aug(18, 11, 40, 0), "953f48f", Beta, blue_green(1)),
        build(aug(18, 14, 0, 0), "differ", "3898d19"),
        deploy(aug(18, 14, 10, 0), "3898d19", Beta, blue_green(1)),
        deploy(aug(18, 15, 20, 0), "953f48f", Prod, blue_green(1)),
        deploy(aug(18, 16, 30, 0), "3898d19", Prod, blue_green(1)),
        scale(aug(19, 9, 30, 0), "nginx", Prod, 2),
    ]
}

/// 19–20 August: a new base image, so every service is rebuilt and rolled out,
/// to aws-beta on Friday and to aws-prod on Saturday.
fn base_image_update() -> Vec<Event> {
    vec![
        build(aug(19, 14, 0, 0), "differ", "1a2b170"),
        deploy(aug(19, 14, 10, 0), "1a2b170", Beta, blue_green(1)),
        build(aug(19, 14, 15, 0), "runner", "85d83c6"),
        deploy(aug(19, 14, 25, 0), "85d83c6", Beta, blue_green(1)),
        build(aug(19, 14, 30, 0), "creator", "301850c"),
        deploy(aug(19, 14, 40, 0), "301850c", Beta, blue_green(1)),
        build(aug(19, 14, 45, 0), "dashboard", "1fb17c2"),
        deploy(aug(19, 14, 55, 0), "1fb17c2", Beta, blue_green(1)),
        build(aug(19, 15, 0, 0), "nginx", "2e44158"),
        deploy(aug(19, 15, 10, 0), "2e44158", Beta, blue_green(1)),
        build(aug(19, 15, 15, 0), "repler", "8f6d055"),
        deploy(aug(19, 15, 25, 0), "8f6d055", Beta, blue_green(1)),
        build(aug(19, 15, 30, 0), "saver", "a170b33"),
        deploy(aug(19, 15, 40, 0), "a170b33", Beta, blue_green(1)),
        build(aug(19, 15, 45, 0), "web", "7731af1"),
        deploy(aug(19, 15, 55, 0), "7731af1", Beta, blue_green(2)),
        build(aug(19, 16, 0, 0), "custom-start-points", "7403e43"),
        deploy(aug(19, 16, 10, 0), "7403e43", Beta, blue_green(1)),
        build(aug(19, 16, 15, 0), "exercises-start-points", "5d9dc9f"),
        deploy(aug(19, 16, 25, 0), "5d9dc9f", Beta, blue_green(1)),
        build(aug(19, 16, 30, 0), "languages-start-points", "a09f76b"),
        deploy(aug(19, 16, 40, 0), "a09f76b", Beta, blue_green(1)),
        build(aug(19, 16, 45, 0), "version-reporter", "1818e81"),
        deploy(aug(19, 16, 55, 0), "1818e81", Beta, blue_green(1)),
        external(aug(19, 17, 0, 0), "start-points-base", "81e74ef"),
        deploy(aug(20, 10, 14, 0), "1a2b170", Prod, blue_green(1)),
        deploy(aug(20, 10, 40, 0), "85d83c6", Prod, blue_green(1)),
        deploy(aug(20, 11, 5, 0), "301850c", Prod, blue_green(1)),
        deploy(aug(20, 11, 30, 0), "1fb17c2", Prod, blue_green(1)),
        deploy(aug(20, 11, 55, 0), "2e44158", Prod, blue_green(2)),
        deploy(aug(20, 12, 20, 0), "8f6d055", Prod, blue_green(1)),
        deploy(aug(20, 12, 45, 0), "a170b33", Prod, blue_green(1)),
        deploy(aug(20, 13, 10, 0), "7731af1", Prod, blue_green(3)),
        deploy(aug(20, 13, 35, 0), "81e74ef", Prod, blue_green(1)),
    ]
}

/// Each reporter's early-morning report from 2 August to 10 September: nothing
/// changed overnight, so no snapshot.
fn daily_reports() -> Vec<Event> {
    (0..40)
        .flat_map(|day| {
            let morning = aug(2, 6, 0, 0) + day * 86_400;
            [report(morning, Beta), report(morning + 30, Prod)]
        })
        .collect()
}
