//! The three CSV files French Excel saves, byte for byte: "CSV UTF-8" (BOM, `;`, CRLF),
//! "CSV (séparateur : point-virgule)" (Windows-1252, `;`, CRLF) and "CSV (Macintosh)" (Mac
//! Roman, `;`, CR line endings), with French column names and decimal commas.

use crate::imports::Env;
use serde_json::Value;

/// "CSV UTF-8 (délimité par des virgules)", as French Excel writes it.
const UTF8: &[u8] = b"\xEF\xBB\xBFcode_site;r\xC3\xA9f\xC3\xA9rence;type;statut;capacit\xC3\xA9_litres;latitude;longitude;adresse\r\n\
lyon;XL-UTF8;street_bin;active;2500;45,7578;4,8320;Place Andr\xC3\xA9-Malraux, Lyon\r\n";

/// "CSV (séparateur : point-virgule)": Windows-1252 (é = E9, è = E8, œ = 9C).
const WINDOWS_1252: &[u8] = b"code_site;r\xE9f\xE9rence;type;statut;capacit\xE9_litres;latitude;longitude;adresse\r\n\
lyon;XL-1252;street_bin;active;2500;45,7601;4,8345;Rue de la R\xE9publique, 2\xE8me \x9Cuvre, Lyon\r\n";

/// "CSV (Macintosh)": Mac Roman (é = 8E, è = 8F) and a lone CR after each line.
const MAC: &[u8] =
    b"code_site;r\x8Ef\x8Erence;type;statut;capacit\x8E_litres;latitude;longitude;adresse\r\
lyon;XL-MAC;street_bin;active;2500;45,1885;5,7245;All\x8Ee des Tilleuls, 3\x8Fme, Grenoble\r";

async fn container(env: &Env, reference: &str) -> Value {
    env.containers()
        .await
        .into_iter()
        .find(|c| c["external_ref"] == reference)
        .unwrap_or_else(|| panic!("{reference} imported"))
}

#[tokio::test]
async fn the_three_csv_files_of_french_excel_are_imported() {
    let env = Env::new().await;
    for (file, encoding, reference, address, latitude) in [
        (
            UTF8,
            "utf-8",
            "XL-UTF8",
            "Place André-Malraux, Lyon",
            45.7578,
        ),
        (
            WINDOWS_1252,
            "windows-1252",
            "XL-1252",
            "Rue de la République, 2ème œuvre, Lyon",
            45.7601,
        ),
        (
            MAC,
            "macintosh",
            "XL-MAC",
            "Allée des Tilleuls, 3ème, Grenoble",
            45.1885,
        ),
    ] {
        let response = env.upload(file.to_vec(), "").await;
        if response.status() != 202 {
            panic!("{encoding}: {}", response.text().await.unwrap());
        }
        let import = env.accepted(response).await;
        assert_eq!(import["state"], "completed", "{import}");
        assert_eq!(import["counts"]["inserted"], 1, "{import}");
        assert_eq!(import["encoding"], encoding, "{import}");
        let container = container(&env, reference).await;
        assert_eq!(container["address"], address);
        assert_eq!(container["capacity_litres"], 2500);
        let stored = container["location"]["latitude"].as_f64().unwrap();
        assert!((stored - latitude).abs() < 1e-9, "{container}");
    }
    env.drop().await;
}

#[tokio::test]
async fn an_encoding_can_be_given_and_a_wrong_name_is_refused() {
    let env = Env::new().await;
    // ISO-8859-15: A4 is the euro sign (Windows-1252 would read ¤)
    let file = b"code_site;reference;type;latitude;longitude;adresse\nlyon;XL-15;street_bin;45,75;4,83;Boutique \xA4 solidaire\n";
    let import = env.import(file.to_vec(), "?encoding=iso-8859-15").await;
    assert_eq!(import["encoding"], "iso-8859-15", "{import}");
    assert_eq!(
        container(&env, "XL-15").await["address"],
        "Boutique € solidaire"
    );
    let refused = env.upload(file.to_vec(), "?encoding=ebcdic").await;
    assert_eq!(refused.status(), 422);
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "encoding", "{problem}");
    env.drop().await;
}
