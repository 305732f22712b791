//! Census import (contract §10): a county's sheet of left-behind children in,
//! validated row by row as the API validates, applied in the background.

pub mod census;
pub mod jobs;
pub mod routes;
pub mod run;
pub mod sheet;
pub mod workbook;
