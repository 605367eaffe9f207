"""The screening entry point outside dbt (livingreview.screening) on hand-written tricky records.

The texts are written for these tests (no copied abstracts). The dbt models run the same macro; their
unit tests (models/intermediate/int_records__rule_screened.yml) assert the same cases.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from livingreview import config, screening

# id, title, abstract, decision, primary_reason, fm_type, modalities that must be tagged
CASES = [
    (
        "octa_without_the_word_medical",
        "Vessel maps from OCTA with a frozen DINOv2 encoder",
        "We adapt a self-supervised DINOv2 backbone to OCTA scans and segment the capillary network.",
        "include",
        None,
        "vision_only",
        {"fundus_oct"},
    ),
    (
        "polyp_with_fused_sam2",
        "Tracking polyps through colonoscopy clips with SAM2",
        "A memory-augmented SAM2 pipeline follows polyps across colonoscopy frames from one box prompt.",
        "include",
        None,
        "vision_only",
        {"endoscopy"},
    ),
    (
        "fused_medsam2_on_ct",
        "MedSAM2 for liver lesions",
        "We fine-tune MedSAM2 on contrast-enhanced abdominal CT to delineate liver lesions in 3D.",
        "include",
        None,
        "vision_only",
        {"ct"},
    ),
    (
        "samed_on_mri",
        "SAMed-style low-rank adaptation for prostate MRI",
        "Building on SAMed, low-rank adapters in the image encoder segment the prostate gland on MRI.",
        "include",
        None,
        "vision_only",
        {"mri"},
    ),
    (
        "clip_in_endoscopy",
        "Zero-shot lesion recognition in endoscopy with CLIP",
        "Text prompts describing mucosal findings let CLIP recognise lesions in gastroscopy frames.",
        "include",
        None,
        "vision_language",
        {"endoscopy"},
    ),
    (
        "report_generation_vlm",
        "Chest X-ray report generation with a VLM",
        "A vision-language model trained on MIMIC-CXR writes radiology reports for chest radiographs.",
        "include",
        None,
        "vision_language",
        {"x-ray"},
    ),
    (
        "text_only_medical_llm",
        "Do large language models pass the medical licensing exam?",
        "We prompt large language models with medical licensing exam questions and clinical vignettes.",
        "exclude",
        "medical_text_only",
        None,
        set(),
    ),
    (
        "llm_on_report_text",
        "An LLM that reads radiology reports",
        "A large language model classifies disease from radiology reports; textual findings are the input.",
        "exclude",
        "medical_text_only",
        None,
        set(),
    ),
    (
        "ecg_foundation_model",
        "A foundation model for 12-lead ECG",
        "We pretrain a foundation model on millions of ECG recordings to detect arrhythmia in patients.",
        "exclude",
        "non_imaging_biomedical",
        None,
        set(),
    ),
    (
        "molecule_foundation_model",
        "A molecular foundation model for property prediction",
        "A foundation model pretrained on molecule graphs and protein sequences predicts binding affinity.",
        "exclude",
        "non_imaging_biomedical",
        None,
        set(),
    ),
    (
        "natural_image_vlm",
        "Open-vocabulary detection for satellite imagery with a vision-language model",
        "We align a vision-language model to remote sensing images to detect vehicles and buildings.",
        "exclude",
        "not_medical_imaging",
        None,
        set(),
    ),
    (
        "sam_on_natural_images",
        "Segment Anything meets camouflaged objects",
        "We prompt the Segment Anything Model to find camouflaged animals in natural images.",
        "exclude",
        "not_medical_imaging",
        None,
        set(),
    ),
    (
        "conventional_unet",
        "A residual U-Net for kidney tumour segmentation in CT",
        "We train a residual U-Net from scratch on contrast CT to segment kidney tumours.",
        "exclude",
        "no_foundation_model",
        None,
        set(),
    ),
    (
        "survey",
        "Foundation models in medical imaging: a survey",
        "This survey reviews vision and vision-language foundation models for radiology and pathology.",
        "exclude",
        "review_article",
        "vision_language",
        {"pathology"},
    ),
    (
        "weak_evidence",
        "Ultrasound view classification from large-scale pretraining",
        "We start from large-scale pretraining weights on photographs and classify echocardiography views.",
        "maybe",
        "no_foundation_model",
        "vision_only",
        {"ultrasound"},
    ),
    # criteria 2026.11.2
    (
        "slides_without_medicine",
        "Turning papers into slides with a vision-language model",
        "A vision-language model drafts presentation slides and posters from research papers and ranks "
        "layouts.",
        "exclude",
        "not_medical_imaging",
        None,
        set(),
    ),
    (
        "report_generation_without_medicine",
        "Agentic report generation for market analysts",
        "Large language model agents search the web and handle report generation for financial analysts.",
        "exclude",
        "not_medical_imaging",
        None,
        set(),
    ),
    (
        "generic_fm_in_renal_pathology",
        "A foundation model for kidney biopsy assessment",
        "We train a self-supervised foundation model on glomeruli from renal biopsies; in nephropathology it "
        "grades lesions and supports clinical diagnosis of patients.",
        "maybe",
        "not_medical_imaging",
        "vision_only",
        set(),
    ),
    (
        "cross_domain_fm",
        "Band-agnostic pretraining for spectral cameras",
        "A self-supervised foundation model for spectral images is evaluated on satellite scenes, autonomous "
        "driving and medical imaging of tissue in medicine.",
        "maybe",
        "not_medical_imaging",
        "vision_only",
        set(),
    ),
    (
        "fm_only_as_baseline",
        "Weakly supervised nodule segmentation in breast ultrasound",
        "A reinforcement-learning agent erases nodules from boxes in breast ultrasound and outperforms "
        "weakly supervised methods and foundation models.",
        "exclude",
        "no_foundation_model",
        None,
        set(),
    ),
    (
        "brain_decoding_with_clip",
        "Brain decoding of viewed pictures with CLIP",
        "We map fMRI responses to visual stimuli onto CLIP embeddings and reconstruct the natural stimuli "
        "the subjects saw.",
        "exclude",
        "not_medical_imaging",
        None,
        set(),
    ),
    (
        "monocular_is_not_ocular",
        "Monocular depth from a DINOv2 backbone",
        "We fine-tune DINOv2 for monocular depth estimation on indoor scenes and street views.",
        "exclude",
        "not_medical_imaging",
        None,
        set(),
    ),
    # criteria 2026.11.3: imaging words need an anchor in medicine; specialties alone are not imaging
    (
        "x_ray_outside_medicine",
        "A vision-language assistant for X-ray baggage screening",
        "We tune a vision-language model on X-ray scans of luggage to localise prohibited items at airports.",
        "exclude",
        "not_medical_imaging",
        None,
        set(),
    ),
    (
        "medical_imaging_as_an_application",
        "Faster sparse attention for long-context language models",
        "We speed up large language models with block-sparse attention, useful from code completion to "
        "medical imaging.",
        "exclude",
        "not_medical_imaging",
        None,
        set(),
    ),
    (
        "clip_with_only_medical_images",
        "Lightweight CLIP adapters for medical images",
        "We add small adapters to CLIP and classify medical images from a handful of labelled examples.",
        "maybe",
        "not_medical_imaging",
        "vision_language",
        set(),
    ),
    (
        "endoscopy_anchors_without_medical_words",
        "Prompting SAM through endoscopy frames",
        "Box prompts steer the Segment Anything Model through endoscopic video frames.",
        "include",
        None,
        "vision_only",
        {"endoscopy"},
    ),
    (
        "llm_with_specialty_words_only",
        "An LLM drafts tumour board summaries",
        "A large language model summarises patient charts with radiology and pathology findings for "
        "clinicians.",
        "exclude",
        "medical_text_only",
        None,
        set(),
    ),
    (
        "llm_translating_ct_reports",
        "Large language models translate chest CT reports",
        "Large language models translate chest CT reports into Japanese and radiologists grade the "
        "translated radiology reports.",
        "exclude",
        "medical_text_only",
        None,
        set(),
    ),
    (
        "self_supervised_pretraining_is_not_an_fm",
        "Self-supervised pretraining for melanoma detection",
        "We run self-supervised pretraining on 20k dermoscopy images and fine-tune the encoder for melanoma "
        "diagnosis.",
        "exclude",
        "no_foundation_model",
        None,
        set(),
    ),
    (
        "text_to_video_generation",
        "Text-guided laparoscopic video synthesis",
        "We adapt a text-to-video diffusion model to generate laparoscopic surgery clips from instructions.",
        "maybe",
        "no_foundation_model",
        "vision_language",
        {"surgical_video"},
    ),
    (
        "off_topic",
        "Faster shortest paths on planar graphs",
        "We give a near-linear algorithm for single-source shortest paths on planar graphs.",
        "exclude",
        "off_topic",
        None,
        set(),
    ),
]


@pytest.fixture(scope="module")
def screened() -> dict[str, dict]:
    records = [{"id": case[0], "title": case[1], "abstract": case[2]} for case in CASES]
    return {row["study_id"]: row for row in screening.screen_records(records)}


@pytest.mark.parametrize(
    ("record_id", "decision", "reason", "fm_type", "modalities"),
    [(case[0], *case[3:]) for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_tricky_record_gets_its_decision_reason_and_tags(
    screened, record_id, decision, reason, fm_type, modalities
):
    row = screened[record_id]
    assert (row["decision"], row["primary_reason"]) == (decision, reason)
    assert row["fm_type"] == fm_type
    assert modalities <= set(row["modalities"])
    assert row["actor"] == "rule"
    assert row["criteria_version"] == screening.check_criteria_version()
    assert row["is_review_article"] == (reason == "review_article")


def test_include_has_no_reason_and_every_other_decision_has_one(screened):
    for row in screened.values():
        assert (row["reasons"] == []) == (row["decision"] == "include")
        assert 0.0 <= row["score"] <= 1.0


def test_includes_score_above_lookalikes(screened):
    includes = [row["score"] for row in screened.values() if row["decision"] == "include"]
    lookalikes = [
        screened[name]["score"]
        for name in ("text_only_medical_llm", "ecg_foundation_model", "natural_image_vlm", "survey")
    ]
    assert min(includes) > max(lookalikes)


def test_datasets_are_whole_words_and_case_aware():
    rows = screening.screen_records(
        [
            {
                "id": "named",
                "title": "SAM for cardiac MRI",
                "abstract": "We adapt SAM2 to cardiac MRI and report Dice on ACDC and M&Ms, vessels on "
                "DRIVE, and gliomas on BraTS2021; kidneys come from KiTS23, chest films from ChestX-ray14.",
            },
            {
                "id": "prose",
                "title": "SAM for cardiac MRI",
                "abstract": "We adapt SAM2 to cardiac MRI; scanners drive acdc-like and panda artefacts.",
            },
        ]
    )
    by_id = {row["study_id"]: row for row in rows}
    assert by_id["named"]["datasets"] == ["acdc", "brats", "chestx_ray14", "drive", "kits23", "mnms"]
    assert by_id["prose"]["datasets"] == []


def test_tags_use_only_vocabulary_values(screened):
    seeds = config.dbt_project_dir() / "seeds"
    vocabulary = {
        "modalities": _column(seeds / "modalities.csv"),
        "tasks": _column(seeds / "tasks.csv"),
        "training_strategies": _column(seeds / "training_strategies.csv"),
        "anatomies": _column(seeds / "anatomies.csv"),
    }
    for row in screened.values():
        for column, allowed in vocabulary.items():
            assert set(row[column]) <= allowed, (row["study_id"], column)


def _column(path: Path) -> set[str]:
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    return {line.split(",", 1)[0] for line in lines}


def test_macro_is_plain_jinja():
    """The one implementation renders outside dbt: no dbt builtins in the macro code (comments aside;
    rendering under jinja2's StrictUndefined, as every test here does, would fail on one anyway)."""
    text = (config.dbt_project_dir() / "macros" / "screening.sql").read_text(encoding="utf-8")
    code = re.sub(r"\{#.*?#\}", "", text, flags=re.DOTALL)
    for builtin in ("ref(", "source(", "run_query", "adapter.", "var(", "config(", "env_var", "target."):
        assert builtin not in code


# --- the criteria-version guard --------------------------------------------------------------------


def test_criteria_files_match_the_newest_criteria_version():
    """Fails when a screening/tagging seed or the macro changed without a new version row."""
    latest = screening.criteria_versions()[0]
    assert latest["sha256"] == screening.criteria_fingerprint(), (
        "screening criteria changed: add a row to dbt_project/seeds/screening_criteria_versions.csv "
        f"with a new criteria_version and sha256 {screening.criteria_fingerprint()}"
    )


def test_criteria_versions_are_distinct():
    versions = screening.criteria_versions()
    for column in ("criteria_version", "sha256"):
        values = [row[column] for row in versions]
        assert len(values) == len(set(values)), column


@pytest.fixture
def project_copy(tmp_path) -> Path:
    project = tmp_path / "dbt_project"
    shutil.copytree(config.dbt_project_dir() / "seeds", project / "seeds")
    shutil.copytree(config.dbt_project_dir() / "macros", project / "macros")
    return project


def _add_a_term(project: Path) -> None:
    terms = project / "seeds" / "screening_terms.csv"
    terms.write_text(terms.read_text(encoding="utf-8") + 'fm,vision_fm,1.0,ignore,"x",x\n', encoding="utf-8")


def test_an_edited_seed_without_a_new_version_refuses_to_screen(project_copy):
    _add_a_term(project_copy)
    with pytest.raises(screening.CriteriaVersionError, match="add a row"):
        screening.load_criteria(project_copy)


def test_an_edited_macro_without_a_new_version_refuses_to_screen(project_copy):
    macro = project_copy / "macros" / "screening.sql"
    macro.write_text(macro.read_text(encoding="utf-8").replace(">= 1 and", ">= 2 and", 1), encoding="utf-8")
    with pytest.raises(screening.CriteriaVersionError):
        screening.check_criteria_version(project_copy)


def test_the_newest_version_is_the_latest_date_then_the_higher_version(project_copy):
    versions = project_copy / "seeds" / "screening_criteria_versions.csv"
    with open(versions, "a", encoding="utf-8") as handle:
        handle.write(
            "9999.1.10,9999-01-01,c,third that day\n"
            "9999.1.2,9999-01-01,b,second that day\n9999.1.1,9999-01-01,a,first that day\n"
        )
    assert [row["criteria_version"] for row in screening.criteria_versions(project_copy)[:3]] == [
        "9999.1.10",  # a number, not text: 10 after 2
        "9999.1.2",
        "9999.1.1",
    ]


def test_a_version_that_is_no_number_is_refused(project_copy):
    versions = project_copy / "seeds" / "screening_criteria_versions.csv"
    with open(versions, "a", encoding="utf-8") as handle:
        handle.write("2026.12-rc1,2026-12-05,d,release candidate\n")
    with pytest.raises(screening.CriteriaVersionError, match="not a dotted version number"):
        screening.criteria_versions(project_copy)


def test_a_new_version_row_accepts_the_edit(project_copy):
    _add_a_term(project_copy)
    versions = project_copy / "seeds" / "screening_criteria_versions.csv"
    fingerprint = screening.criteria_fingerprint(project_copy)
    with open(versions, "a", encoding="utf-8") as handle:
        handle.write(f"9999.1.1,9999-01-01,{fingerprint},test edit\n")
    assert screening.load_criteria(project_copy).version == "9999.1.1"
